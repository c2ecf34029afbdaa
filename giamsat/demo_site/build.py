"""Writes the demo site's pages, feeds and social export from the texts below.

Every text here was written for giamsat's demo (fictional events in the style of Vietnamese
provincial and national papers; names of people are invented). Run ``python
giamsat/demo_site/build.py`` after editing; the output files are committed.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
VN = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN)  # the demo's "today"

# (slug, hours before NOW, title, sapo, paragraphs, author)
BAO_TINH = [
    (
        "thu-hoi-dat-bac-cam-ranh",
        30,
        "Người dân phường Bắc Cam Ranh kiến nghị xem xét lại giá bồi thường thu hồi đất",
        "Hàng chục hộ dân có đất bị thu hồi để làm khu đô thị mới ở phường Bắc Cam Ranh cho rằng đơn giá bồi thường thấp hơn nhiều so với giá thị trường.",
        [
            "Theo phản ánh của người dân, đơn giá bồi thường đất nông nghiệp được áp dụng chỉ khoảng 150.000 đồng/m², trong khi đất cùng khu vực được mua bán với giá cao gấp nhiều lần.",
            "Bà Nguyễn Thị Hạnh, một hộ dân bị thu hồi hơn 2.000 m² đất trồng màu, cho biết gia đình đã nhiều lần gửi đơn khiếu nại nhưng chưa nhận được văn bản trả lời.",
            "Trao đổi với phóng viên, đại diện Ban Quản lý dự án cho biết phương án bồi thường được xây dựng theo bảng giá đất của tỉnh Khánh Hòa; đơn vị sẽ phối hợp với UBND phường tổ chức đối thoại với người dân trong tuần tới.",
            "Sở Nông nghiệp và Môi trường tỉnh đã đề nghị chủ đầu tư rà soát lại hồ sơ, bảo đảm quyền lợi hợp pháp của người dân trước khi tổ chức cưỡng chế.",
        ],
        "Hoàng Lâm",
    ),
    (
        "cat-lau-song-cai",
        20,
        "Tàu hút cát trái phép hoạt động về đêm trên sông Cái, bờ sông sạt lở nghiêm trọng",
        "Người dân xã Diên Lạc, tỉnh Khánh Hòa phản ánh nhiều đêm liền có tàu hút cát trái phép hoạt động trên sông Cái, khiến hàng trăm mét bờ sông bị sạt lở.",
        [
            "Theo ghi nhận của phóng viên, khoảng 22 giờ đêm, hai tàu hút cát tắt đèn di chuyển ngược dòng rồi neo đậu giữa sông để bơm cát lên sà lan.",
            'Ông Trần Văn Bảy, người dân thôn Phú Khánh, bức xúc cho biết vườn dừa của gia đình đã bị sông "nuốt" mất gần 300 m² chỉ trong mùa mưa năm nay.',
            "Chủ tịch UBND xã Diên Lạc cho biết xã đã phối hợp với công an tổ chức ba đợt truy quét nhưng các tàu thường bỏ chạy khi lực lượng chức năng đến gần.",
            "UBND tỉnh Khánh Hòa đã giao Công an tỉnh và Sở Nông nghiệp và Môi trường kiểm tra, xử lý nghiêm tình trạng khai thác cát lậu, báo cáo kết quả trước ngày 30/11.",
        ],
        "Minh Đức",
    ),
    (
        "ubnd-chi-dao-cat-lau",
        8,
        "UBND tỉnh Khánh Hòa chỉ đạo xử lý dứt điểm khai thác cát trái phép",
        "Chủ tịch UBND tỉnh Khánh Hòa vừa ký văn bản chỉ đạo các sở, ngành và địa phương xử lý dứt điểm tình trạng khai thác cát trái phép trên các sông.",
        [
            "Văn bản nêu rõ, thời gian qua tình trạng khai thác cát trái phép trên sông Cái và sông Dinh diễn biến phức tạp, gây sạt lở bờ sông, ảnh hưởng đến đất sản xuất và nhà ở của người dân.",
            "UBND tỉnh yêu cầu Công an tỉnh chủ trì, phối hợp với Sở Nông nghiệp và Môi trường tăng cường tuần tra, kiểm soát vào ban đêm; tịch thu phương tiện vi phạm theo quy định.",
            "Chủ tịch UBND các xã, phường có sông chịu trách nhiệm trước Chủ tịch UBND tỉnh nếu để xảy ra tình trạng khai thác cát trái phép kéo dài trên địa bàn.",
        ],
        "Văn Kỳ",
    ),
    (
        "bai-rac-luong-hoa",
        50,
        "Mùi hôi từ bãi rác Lương Hòa tiếp tục khiến người dân bức xúc",
        "Dù đã nhiều lần được phản ánh, mùi hôi từ khu xử lý chất thải rắn Lương Hòa vẫn bao trùm các khu dân cư lân cận, nhất là vào ban đêm.",
        [
            "Nhiều hộ dân ở xã Suối Tân cho biết mùi hôi nồng nặc xuất hiện từ khoảng 19 giờ đến sáng hôm sau, khiến trẻ nhỏ và người già mất ngủ.",
            "Đại diện đơn vị vận hành cho biết lượng rác tiếp nhận tăng mạnh trong mùa du lịch trong khi hệ thống xử lý nước rỉ rác đang được nâng cấp.",
            "Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa cho biết sẽ lắp đặt thêm trạm quan trắc môi trường tự động và kiểm tra việc phun chế phẩm khử mùi.",
        ],
        "Thu Hằng",
    ),
    (
        "nuoc-thai-vinh-cam-ranh",
        40,
        "Cá chết hàng loạt tại lồng bè nuôi trên vịnh Cam Ranh, nghi do nước thải",
        "Nhiều hộ nuôi cá lồng bè ở vịnh Cam Ranh bị thiệt hại nặng khi cá chết hàng loạt; người dân nghi nguồn nước bị ô nhiễm do nước thải của một cơ sở chế biến thủy sản.",
        [
            "Sáng 21/11, các hộ nuôi trồng thủy sản ở phường Cam Linh phát hiện cá mú, cá chim trong lồng bè nổi đầu rồi chết hàng loạt, ước tính thiệt hại hơn 5 tấn.",
            "Người dân cho biết những ngày trước đó nước khu vực lồng bè chuyển màu sẫm, có mùi lạ, gần cống xả của một cơ sở chế biến thủy sản.",
            "Chi cục Thủy sản và Chi cục Bảo vệ môi trường (Sở Nông nghiệp và Môi trường) đã lấy mẫu nước để phân tích, đồng thời kiểm tra hệ thống xử lý nước thải của cơ sở bị phản ánh.",
        ],
        "Hải Nam",
    ),
    (
        "mua-lon-ngap-nha-trang",
        60,
        "Mưa lớn kéo dài, nhiều tuyến đường ở Nha Trang ngập sâu",
        "Mưa lớn kéo dài từ đêm qua khiến nhiều tuyến đường ở trung tâm phường Nha Trang ngập sâu 0,5 m, giao thông ùn tắc cục bộ.",
        [
            "Các tuyến đường Hai Tháng Tư, Lê Hồng Phong, Dương Hiến Quyền ngập sâu, nhiều xe máy chết máy giữa dòng nước.",
            "Đài Khí tượng thủy văn tỉnh Khánh Hòa cho biết lượng mưa đo được trong 12 giờ qua tại Nha Trang lên tới 180 mm, dự báo mưa lớn còn kéo dài đến hết ngày mai.",
            "Ban Chỉ huy phòng chống thiên tai tỉnh đã yêu cầu các địa phương theo dõi chặt chẽ mực nước các hồ chứa, sẵn sàng phương án sơ tán dân ở vùng trũng thấp khi cần thiết.",
        ],
        "Phan Sông Ngân",
    ),
    (
        "sat-lo-deo-khanh-le",
        56,
        "Sạt lở đèo Khánh Lê, tạm cấm phương tiện lưu thông",
        "Mưa lớn gây sạt lở taluy dương tại nhiều điểm trên đèo Khánh Lê thuộc quốc lộ 27C, tỉnh Khánh Hòa tạm cấm phương tiện lưu thông qua đèo.",
        [
            "Khoảng 4 giờ sáng, hàng trăm mét khối đất đá từ taluy dương đổ xuống mặt đường tại km 23 và km 27, gây ách tắc hoàn toàn.",
            "Sở Xây dựng đã bố trí lực lượng trực chốt hai đầu đèo, hướng dẫn phương tiện đi đường vòng qua quốc lộ 26.",
            "Đơn vị quản lý đường bộ đang huy động máy xúc khắc phục, dự kiến thông xe một làn trong chiều nay nếu thời tiết thuận lợi.",
        ],
        "Phạm Tuấn",
    ),
    (
        "bac-bo-tin-don-so-tan",
        3,
        "Bác bỏ thông tin sai sự thật về việc sơ tán dân do vỡ đập hồ Suối Dầu",
        'Ban Chỉ huy phòng chống thiên tai tỉnh Khánh Hòa khẳng định thông tin "đập hồ Suối Dầu sắp vỡ, người dân phải sơ tán khẩn cấp" lan truyền trên mạng xã hội là hoàn toàn sai sự thật.',
        [
            "Tối 22/11, trên một số trang Facebook và nhóm Zalo xuất hiện bài đăng kèm hình ảnh cũ, cho rằng đập hồ Suối Dầu đã nứt, yêu cầu người dân xã Suối Hiệp sơ tán ngay trong đêm.",
            "Theo Công ty TNHH MTV Khai thác công trình thủy lợi Nam Khánh Hòa, mực nước hồ hiện ở mức an toàn, đập được kiểm tra hằng ngày và không có dấu hiệu bất thường.",
            "Sở Văn hóa, Khoa học và Công nghệ đề nghị người dân chỉ theo dõi thông tin chính thức từ cơ quan chức năng, không chia sẻ thông tin chưa được kiểm chứng; cơ quan công an đang xác minh các tài khoản đăng tin để xử lý theo quy định.",
        ],
        "Ban Biên tập",
    ),
    (
        "du-khach-bi-chat-chem",
        26,
        'Du khách tố bị "chặt chém" 4 triệu đồng cho bữa hải sản ở chợ đêm Nha Trang',
        "Một nhóm du khách đến từ TP Hồ Chí Minh phản ánh bị tính 4 triệu đồng cho bữa ăn gồm ba món hải sản tại một quán ăn khu vực chợ đêm Nha Trang.",
        [
            "Theo phản ánh, nhóm du khách gọi tôm hùm, ghẹ và ốc nhưng không được báo giá trước, đến khi thanh toán mới biết giá cao gấp ba lần giá niêm yết ở nhiều nơi khác.",
            "Bài đăng kèm hóa đơn của nhóm du khách trên mạng xã hội đã thu hút hàng nghìn lượt chia sẻ, nhiều người bày tỏ bức xúc về hình ảnh du lịch Nha Trang.",
            "Sở Văn hóa, Thể thao và Du lịch tỉnh Khánh Hòa cho biết đã chuyển thông tin đến UBND phường Nha Trang và đoàn kiểm tra liên ngành để xác minh, xử lý.",
        ],
        "Thanh Thảo",
    ),
    (
        "xu-phat-quan-an-chat-chem",
        6,
        "Xử phạt quán ăn chặt chém du khách ở Nha Trang",
        "Đoàn kiểm tra liên ngành phường Nha Trang đã lập biên bản, xử phạt 15 triệu đồng đối với quán ăn bị du khách phản ánh bán hải sản giá cao bất thường.",
        [
            "Qua kiểm tra, quán ăn không niêm yết giá đối với các món hải sản tươi sống và không thông báo giá cho khách trước khi chế biến.",
            "Ngoài mức phạt tiền, chủ quán buộc phải hoàn trả phần chênh lệch cho du khách và cam kết thực hiện niêm yết giá công khai.",
            "Sở Văn hóa, Thể thao và Du lịch tỉnh Khánh Hòa khuyến cáo du khách lựa chọn các cơ sở có niêm yết giá rõ ràng và phản ánh qua đường dây nóng du lịch khi gặp trường hợp tương tự.",
        ],
        "Thanh Thảo",
    ),
    (
        "ngo-doc-truong-hoc",
        14,
        "45 học sinh nhập viện nghi ngộ độc thực phẩm sau bữa ăn bán trú",
        "Sau bữa trưa bán trú tại một trường tiểu học ở phường Nam Nha Trang, 45 học sinh có biểu hiện đau bụng, nôn ói và được đưa đi cấp cứu.",
        [
            "Khoảng 14 giờ chiều 22/11, nhiều học sinh bắt đầu có triệu chứng đau bụng, buồn nôn; nhà trường đã đưa các em đến Bệnh viện Đa khoa tỉnh Khánh Hòa và Bệnh viện Quân y 87.",
            "Theo bác sĩ điều trị, sức khỏe các em đã ổn định, phần lớn được theo dõi tại khoa Nhi và dự kiến xuất viện trong ngày mai.",
            "Sở Y tế tỉnh đã lấy mẫu thức ăn lưu để xét nghiệm, tạm dừng hợp đồng với đơn vị cung cấp suất ăn bán trú và yêu cầu nhà trường báo cáo vụ việc.",
        ],
        "Bảo Ngọc",
    ),
    (
        "ket-qua-xet-nghiem-ngo-doc",
        2,
        "Xác định nguyên nhân vụ ngộ độc thực phẩm tại trường tiểu học ở Nha Trang",
        "Kết quả xét nghiệm mẫu thức ăn lưu cho thấy món gà xào trong bữa trưa bán trú nhiễm vi khuẩn Salmonella vượt ngưỡng cho phép.",
        [
            "Sở Y tế tỉnh Khánh Hòa cho biết, trong 8 mẫu thức ăn lưu được xét nghiệm, có 1 mẫu gà xào phát hiện vi khuẩn Salmonella với mật độ cao.",
            "Đơn vị cung cấp suất ăn đã bị đình chỉ hoạt động để điều tra; cơ quan chức năng đang xem xét xử lý theo quy định về an toàn thực phẩm.",
            "Đến nay, toàn bộ 45 học sinh đã được xuất viện, sức khỏe ổn định và trở lại trường học bình thường.",
        ],
        "Bảo Ngọc",
    ),
    (
        "duong-ven-bien-cham-tien-do",
        70,
        "Dự án đường ven biển Cam Ranh chậm tiến độ vì vướng mặt bằng",
        "Dự án đường ven biển đoạn qua phường Cam Ranh có tổng vốn đầu tư hơn 1.200 tỉ đồng đang chậm tiến độ nhiều tháng do vướng giải phóng mặt bằng.",
        [
            "Theo Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh Khánh Hòa, đến nay dự án mới bàn giao được 72% mặt bằng, còn hơn 80 hộ dân chưa nhận tiền bồi thường.",
            "Nhiều đoạn tuyến đã thi công xong nền đường nhưng phải dừng lại vì vướng nhà dân, gây lãng phí và ảnh hưởng đến việc đi lại.",
            "Sở Xây dựng kiến nghị UBND tỉnh chỉ đạo các địa phương đẩy nhanh công tác bồi thường, phấn đấu bàn giao toàn bộ mặt bằng trong quý I năm sau.",
        ],
        "Xuân Thành",
    ),
    (
        "cao-toc-van-phong-thong-xe",
        90,
        "Thông xe toàn tuyến cao tốc Vân Phong - Nha Trang",
        "Sáng nay, tuyến cao tốc Vân Phong - Nha Trang dài 83 km chính thức thông xe toàn tuyến, rút ngắn thời gian di chuyển từ Nha Trang đến khu kinh tế Vân Phong còn khoảng một giờ.",
        [
            "Dự án có tổng mức đầu tư hơn 11.000 tỉ đồng, đi qua địa bàn nhiều xã, phường phía bắc tỉnh Khánh Hòa.",
            "Phát biểu tại buổi lễ, lãnh đạo tỉnh đánh giá tuyến cao tốc sẽ tạo động lực lớn cho phát triển du lịch, logistics và thu hút đầu tư vào khu kinh tế Vân Phong.",
            "Trong thời gian đầu khai thác, các phương tiện được lưu thông với tốc độ tối đa 90 km/h.",
        ],
        "Xuân Thành",
    ),
    (
        "ho-so-dat-dai-tre-hen",
        45,
        "Hàng trăm hồ sơ đất đai trễ hẹn tại Trung tâm phục vụ hành chính công",
        "Người dân phản ánh hồ sơ đăng ký biến động đất đai, cấp giấy chứng nhận quyền sử dụng đất tại Trung tâm phục vụ hành chính công tỉnh Khánh Hòa thường xuyên trễ hẹn.",
        [
            "Ông Lê Văn Tùng, ở phường Tây Nha Trang, cho biết hồ sơ tách thửa của gia đình nộp từ tháng 8 nhưng đến nay vẫn chưa có kết quả, mỗi lần hỏi đều được hẹn thêm.",
            "Theo số liệu của trung tâm, trong tháng 10 có hơn 600 hồ sơ lĩnh vực đất đai bị trễ hẹn, chủ yếu do thiếu nhân lực đo đạc và hệ thống dữ liệu chưa đồng bộ sau sắp xếp đơn vị hành chính.",
            "Văn phòng UBND tỉnh đã yêu cầu Sở Nông nghiệp và Môi trường rà soát, xin lỗi người dân đối với các hồ sơ trễ hẹn và đề xuất giải pháp khắc phục.",
        ],
        "Đình Phú",
    ),
    (
        "han-han-phan-rang",
        100,
        "Nắng hạn kéo dài, nông dân khu vực Phan Rang lo thiếu nước tưới",
        "Nhiều hồ chứa ở khu vực Phan Rang - Tháp Chàm (tỉnh Ninh Thuận cũ, nay thuộc tỉnh Khánh Hòa) xuống thấp, hàng nghìn hecta lúa vụ đông xuân có nguy cơ thiếu nước.",
        [
            "Theo thống kê, dung tích các hồ chứa trong khu vực chỉ còn khoảng 40% so với thiết kế, thấp hơn nhiều so với cùng kỳ năm trước.",
            "Ngành nông nghiệp đã khuyến cáo nông dân chuyển đổi một phần diện tích lúa sang cây trồng cạn sử dụng ít nước như bắp, đậu xanh.",
            "Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa đang xây dựng kế hoạch điều tiết nước, ưu tiên nước sinh hoạt cho người dân.",
        ],
        "Ngọc Hân",
    ),
    (
        "vinh-vinh-hy-du-lich",
        120,
        "Vịnh Vĩnh Hy hút khách dịp cuối tuần",
        "Vịnh Vĩnh Hy với làn nước trong xanh và rạn san hô phong phú đang trở thành điểm đến được nhiều du khách lựa chọn dịp cuối tuần.",
        [
            "Mỗi ngày cuối tuần, vịnh Vĩnh Hy đón hàng nghìn lượt khách tham quan, lặn ngắm san hô và thưởng thức hải sản của ngư dân địa phương.",
            "Ban quản lý Vườn quốc gia Núi Chúa đã tăng cường tuyên truyền du khách không xả rác, không bẻ san hô để bảo vệ hệ sinh thái biển.",
            "Ngành du lịch tỉnh Khánh Hòa định hướng phát triển Vĩnh Hy thành điểm du lịch sinh thái gắn với cộng đồng.",
        ],
        "Minh Châu",
    ),
]

THOI_SU = [
    (
        "khanh-hoa-tranh-chap-dat-cam-lam",
        34,
        "Khánh Hòa: Hàng chục hộ dân Cam Lâm khiếu nại kéo dài vì tranh chấp đất với doanh nghiệp",
        "Hàng chục hộ dân ở xã Cam Lâm, tỉnh Khánh Hòa nhiều năm khiếu nại vì cho rằng diện tích đất sản xuất của họ bị một doanh nghiệp rào chắn, đưa vào dự án.",
        [
            "Theo đơn của người dân, từ năm 2019 doanh nghiệp đã rào khu đất rộng hơn 30 ha, trong đó có phần đất người dân canh tác ổn định từ trước năm 1993.",
            "Chính quyền địa phương cho biết đã tổ chức nhiều buổi đối thoại nhưng chưa thống nhất được phương án giải quyết do hồ sơ pháp lý phức tạp.",
            "Thanh tra tỉnh Khánh Hòa đang thụ lý đơn khiếu nại và dự kiến có kết luận trong tháng 12.",
        ],
        "Trần Hoài",
    ),
    (
        "khanh-hoa-xu-phat-titan",
        80,
        "Khánh Hòa xử phạt doanh nghiệp khai thác titan vượt ranh giới mỏ",
        "UBND tỉnh Khánh Hòa vừa ban hành quyết định xử phạt 350 triệu đồng đối với một doanh nghiệp khai thác titan vượt ra ngoài ranh giới được cấp phép.",
        [
            "Kết quả kiểm tra cho thấy doanh nghiệp đã khai thác khoáng sản titan trên diện tích gần 2 ha nằm ngoài ranh giới mỏ, gây xói lở đất khu vực ven biển.",
            "Ngoài phạt tiền, doanh nghiệp buộc phải thực hiện cải tạo, phục hồi môi trường và bị tước quyền sử dụng giấy phép khai thác khoáng sản trong 6 tháng.",
            "Sở Nông nghiệp và Môi trường được giao giám sát việc khắc phục hậu quả của doanh nghiệp.",
        ],
        "PV",
    ),
    (
        "chat-chem-nha-trang-lan-truyen",
        24,
        "Hóa đơn hải sản 4 triệu đồng ở Nha Trang gây bão mạng",
        "Hình ảnh hóa đơn bữa hải sản 4 triệu đồng của nhóm du khách tại Nha Trang (Khánh Hòa) được chia sẻ rộng rãi, làm dấy lên lo ngại về tình trạng chặt chém du khách.",
        [
            "Chỉ sau một ngày, bài đăng đã thu hút hơn 20.000 lượt tương tác và hàng nghìn bình luận, nhiều người kể lại trải nghiệm tương tự khi du lịch biển.",
            "Các chuyên gia du lịch cho rằng một vài vụ việc chặt chém có thể làm ảnh hưởng lớn tới hình ảnh điểm đến nếu không được xử lý nhanh và công khai.",
            "Cơ quan chức năng tỉnh Khánh Hòa cho biết đang xác minh và sẽ công bố kết quả xử lý.",
        ],
        "Lê Phương",
    ),
    (
        "ngo-doc-khanh-hoa-quoc-gia",
        12,
        "Nhiều học sinh ở Khánh Hòa nhập viện nghi ngộ độc sau bữa trưa",
        "45 học sinh một trường tiểu học ở Nha Trang, tỉnh Khánh Hòa phải nhập viện với triệu chứng đau bụng, nôn ói sau bữa ăn bán trú.",
        [
            "Các em được đưa vào bệnh viện cấp cứu ngay trong chiều cùng ngày; đến tối, sức khỏe các em đã ổn định.",
            "Cơ quan y tế đã lấy mẫu thức ăn lưu để xét nghiệm, xác định nguyên nhân.",
            "Bộ Y tế đề nghị các địa phương tăng cường kiểm tra an toàn thực phẩm tại bếp ăn tập thể trường học.",
        ],
        "Hà An",
    ),
    (
        "canh-bao-tin-gia-so-tan",
        4,
        'Cảnh báo tin giả "sơ tán khẩn cấp" lan truyền trên mạng xã hội ở Khánh Hòa',
        "Một số tài khoản mạng xã hội lan truyền tin đập thủy lợi ở Khánh Hòa sắp vỡ, kêu gọi người dân sơ tán khẩn cấp; cơ quan chức năng khẳng định đây là tin giả.",
        [
            "Các bài đăng sử dụng hình ảnh một vụ vỡ đập ở nước ngoài từ nhiều năm trước, gắn với địa danh hồ Suối Dầu để gây hoang mang.",
            "Chuyên gia khuyến cáo người dân kiểm tra nguồn tin, đối chiếu với thông báo của chính quyền trước khi chia sẻ, đặc biệt trong mùa mưa bão.",
            "Theo quy định, hành vi đăng tải, chia sẻ thông tin sai sự thật trên mạng xã hội có thể bị xử phạt hành chính đến 10 triệu đồng hoặc xử lý hình sự.",
        ],
        "Quang Minh",
    ),
    (
        "xu-ly-tai-khoan-xuyen-tac",
        10,
        "Xử lý tài khoản đăng tin xuyên tạc về dự án đường ven biển ở Khánh Hòa",
        "Công an tỉnh Khánh Hòa đã mời làm việc, xử phạt chủ một tài khoản mạng xã hội đăng bài xuyên tạc, kích động người dân chống đối việc thu hồi đất làm đường ven biển.",
        [
            'Bài đăng cho rằng chính quyền "cướp đất của dân để chia cho doanh nghiệp" và kêu gọi người dân tụ tập phản đối, thu hút hàng trăm lượt chia sẻ.',
            "Tại cơ quan công an, chủ tài khoản thừa nhận đăng thông tin chưa được kiểm chứng, đã gỡ bài và đăng tải lời xin lỗi.",
            "Cơ quan chức năng khẳng định dự án được triển khai công khai, việc bồi thường thực hiện đúng quy định, người dân có thể phản ánh qua các kênh chính thức.",
        ],
        "Hữu Đạt",
    ),
    (
        "khanh-hoa-vneid",
        110,
        "Khánh Hòa đẩy mạnh dịch vụ công trực tuyến qua ứng dụng VNeID",
        "Tỉnh Khánh Hòa đặt mục tiêu đến cuối năm có 80% hồ sơ thủ tục hành chính được tiếp nhận trực tuyến, trong đó nhiều thủ tục được thực hiện qua ứng dụng VNeID.",
        [
            "Sở Khoa học và Công nghệ cho biết đã tích hợp hơn 200 thủ tục hành chính lên Cổng dịch vụ công quốc gia, người dân có thể đăng nhập bằng tài khoản định danh điện tử.",
            "Nhiều phường, xã thành lập tổ công nghệ số cộng đồng hướng dẫn người cao tuổi sử dụng ứng dụng.",
            "Tuy nhiên, một số người dân phản ánh hệ thống đôi lúc bị lỗi, phải nộp lại hồ sơ nhiều lần.",
        ],
        "Thu Trang",
    ),
    (
        "nha-trang-english",
        48,
        "Nha Trang beaches draw record numbers of foreign tourists",
        "The coastal city of Nha Trang in Khanh Hoa province welcomed a record number of international visitors this autumn despite heavy rain.",
        [
            "Hotels along Tran Phu street reported occupancy above eighty percent for most of October, according to the provincial tourism department.",
            "Visitors from South Korea, China and Russia made up the majority of arrivals, with direct flights landing at Cam Ranh airport every day.",
            "Local authorities said they would step up inspections to stop overcharging of tourists at seafood restaurants and on boat tours.",
        ],
        "Staff reporter",
    ),
    (
        "ha-noi-un-tac",
        18,
        "Ùn tắc nghiêm trọng trên đường Nguyễn Trãi, Hà Nội",
        "Chiều qua, tuyến đường Nguyễn Trãi (Hà Nội) ùn tắc kéo dài hơn 2 km do một xe buýt chết máy giữa đường trong giờ cao điểm.",
        [
            "Hàng nghìn phương tiện nối đuôi nhau nhích từng mét, nhiều người mất hơn một giờ để đi qua đoạn đường dài 3 km.",
            "Lực lượng cảnh sát giao thông đã có mặt phân luồng, cẩu kéo xe buýt ra khỏi hiện trường.",
            "Sở Xây dựng Hà Nội cho biết đang nghiên cứu tổ chức lại giao thông trên tuyến đường này.",
        ],
        "Nguyễn Hưng",
    ),
    (
        "tphcm-trieu-cuong",
        28,
        "Triều cường vượt báo động, nhiều tuyến đường ở TP Hồ Chí Minh ngập nặng",
        "Đỉnh triều cường tại trạm Phú An vượt mức báo động 3, khiến nhiều tuyến đường ở TP Hồ Chí Minh ngập sâu vào chiều tối.",
        [
            "Các tuyến đường Huỳnh Tấn Phát, Trần Xuân Soạn ngập sâu 30-50 cm, người dân phải dắt bộ xe máy qua đoạn ngập.",
            "Đài Khí tượng thủy văn Nam Bộ dự báo triều cường còn tiếp tục lên cao trong những ngày tới.",
            "Thành phố khuyến cáo người dân hạn chế di chuyển qua các khu vực trũng thấp vào giờ triều lên.",
        ],
        "Thanh Tùng",
    ),
    (
        "da-nang-du-lich",
        66,
        "Đà Nẵng đón hơn 1 triệu lượt khách quốc tế từ đầu năm",
        "Ngành du lịch Đà Nẵng cho biết từ đầu năm đến nay, thành phố đã đón hơn 1 triệu lượt khách quốc tế, tăng 25% so với cùng kỳ.",
        [
            "Thị trường Hàn Quốc tiếp tục dẫn đầu, tiếp theo là Trung Quốc, Nhật Bản và Ấn Độ.",
            "Thành phố đang triển khai nhiều sản phẩm du lịch đêm để kéo dài thời gian lưu trú của du khách.",
            "Các doanh nghiệp lữ hành kỳ vọng mùa cao điểm cuối năm sẽ tiếp tục tăng trưởng.",
        ],
        "Hoài Sơn",
    ),
    (
        "quang-nam-sat-lo",
        38,
        "Sạt lở núi ở miền núi Quảng Nam, hàng chục hộ dân phải di dời",
        "Mưa lớn kéo dài gây sạt lở núi tại một số xã miền núi phía tây Quảng Nam, chính quyền đã di dời khẩn cấp hàng chục hộ dân đến nơi an toàn.",
        [
            "Vết nứt trên đồi dài hơn 100 m, nhiều điểm đất đá tiếp tục trượt xuống khu dân cư.",
            "Lực lượng quân đội, công an đã hỗ trợ người dân di chuyển tài sản, bố trí chỗ ở tạm tại trường học.",
            "Chính quyền địa phương đề nghị các chuyên gia địa chất khảo sát, đánh giá nguy cơ sạt lở.",
        ],
        "Đăng Khoa",
    ),
    (
        "nghe-an-lua",
        130,
        "Nghệ An xuống giống vụ đông xuân sớm để né rét",
        "Nông dân nhiều huyện đồng bằng ở Nghệ An tranh thủ thời tiết thuận lợi xuống giống sớm vụ đông xuân.",
        [
            "Ngành nông nghiệp khuyến cáo sử dụng giống lúa ngắn ngày, chịu rét tốt.",
            "Hệ thống thủy lợi đã được nạo vét, bảo đảm đủ nước cho gieo cấy.",
            "Tỉnh đặt mục tiêu năng suất bình quân đạt trên 65 tạ/ha.",
        ],
        "Quỳnh Anh",
    ),
]

SITE_HEADER = {
    "baokhanhhoa": (
        "BÁO KHÁNH HÒA (MẪU)",
        ["Thời sự", "Kinh tế", "Xã hội", "Du lịch", "Pháp luật", "Biển đảo"],
    ),
    "thoisu": (
        "THỜI SỰ 24H (MẪU)",
        ["Thời sự", "Thế giới", "Kinh doanh", "Giải trí", "Thể thao", "Pháp luật"],
    ),
}


def iso(hours: int) -> str:
    return (NOW - timedelta(hours=hours)).isoformat()


def rfc822(hours: int) -> str:
    from email.utils import format_datetime

    return format_datetime(NOW - timedelta(hours=hours))


def page(
    site: str,
    slug: str,
    hours: int,
    title: str,
    sapo: str,
    paras: list[str],
    author: str,
    others: list[tuple],
) -> str:
    brand, menu = SITE_HEADER[site]
    nav = "".join(f'<li><a href="/{site}/{m.lower().replace(" ", "-")}/">{m}</a></li>' for m in menu)
    related = "".join(f'<li><a href="/{site}/{o[0]}.html">{html.escape(o[2])}</a></li>' for o in others[:3])
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    lang = "en" if slug.endswith("english") else "vi"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(title)} | {brand.title()}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:type" content="article">
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:description" content="{html.escape(sapo)}">
<meta property="article:published_time" content="{iso(hours)}">
<meta name="author" content="{html.escape(author)}">
<link rel="canonical" href="/{site}/{slug}.html">
</head><body>
<div class="top-bar">Thứ Hai, 23/11/2026 | <a href="/{site}/dang-nhap">Đăng nhập</a></div>
<header><a class="logo" href="/{site}/">{brand}</a><nav><ul class="menu">{nav}</ul></nav></header>
<main><article class="detail">
<div class="breadcrumb"><a href="/{site}/">Trang chủ</a> » <a href="/{site}/thoi-su/">Thời sự</a></div>
<h1 class="detail-title">{html.escape(title)}</h1>
<div class="detail-meta"><span class="author">{html.escape(author)}</span> · <time datetime="{iso(hours)}">{(NOW - timedelta(hours=hours)).strftime("%d/%m/%Y %H:%M")}</time></div>
<h2 class="detail-sapo">{html.escape(sapo)}</h2>
<div class="detail-content">{body}</div>
</article>
<aside class="related"><h3>Tin cùng chuyên mục</h3><ul>{related}</ul></aside></main>
<footer><p>{brand} — Trang tin mẫu dùng cho chạy thử giamsat. Nội dung hư cấu.</p>
<p><a href="/{site}/lien-he">Liên hệ</a> · <a href="/{site}/quang-cao">Quảng cáo</a></p></footer>
</body></html>
"""


def rss(site: str, title: str, articles: list[tuple]) -> str:
    items = "".join(
        f'<item><title>{html.escape(a[2])}</title><link>/{site}/{a[0]}.html</link><guid isPermaLink="false">{site}-{a[0]}</guid>'
        f"<pubDate>{rfc822(a[1])}</pubDate><description>{html.escape(a[3])}</description></item>\n"
        for a in sorted(articles, key=lambda a: a[1])
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        f"<title>{html.escape(title)}</title><link>/{site}/</link><description>Tin mới nhất (trang mẫu)</description>\n"
        f"<language>vi</language>\n{items}</channel></rss>\n"
    )


# (hours before NOW, platform, author, text, likes, comments, shares, views, url-slug)
POSTS = [
    (
        9,
        "facebook",
        "Hội những người yêu Diên Khánh",
        "KHẨN CẤP!!! Đập hồ Suối Dầu đã nứt, nước đang tràn, bà con xã Suối Hiệp sơ tán ngay trong đêm nay. Chia sẻ gấp cho người thân!!!",
        1200,
        430,
        2100,
        None,
        "fb-group-dienkhanh/posts/1001",
    ),
    (
        8,
        "facebook",
        "Tin nóng Nha Trang 24h",
        "Nghe nói đập hồ Suối Dầu sắp vỡ, dân Suối Hiệp đang sơ tán khẩn cấp, ai ở gần thì chạy ngay. Chia sẻ rầm rộ cho mọi người biết!",
        860,
        210,
        1500,
        None,
        "tinnongnhatrang/posts/2002",
    ),
    (
        8,
        "facebook",
        "Nguyễn Văn Tài",
        "dap ho suoi dau sap vo roi, so tan gap ae oi, share cho moi nguoi biet voi",
        95,
        40,
        320,
        None,
        "taink/posts/3003",
    ),
    (
        7,
        "tiktok",
        "@khanhhoa.news",
        "Đập Suối Dầu nứt rồi mọi người ơi 😱 sơ tán khẩn cấp trong đêm #suoidau #khanhhoa #sotan",
        5400,
        890,
        1200,
        120000,
        "@khanhhoa.news/video/7300000000000000001",
    ),
    (
        7,
        "facebook",
        "Chợ Diên Khánh online",
        "Ko bik thật ko mn, thấy bảo đập hồ Suối Dầu sắp vỡ, nhà mình ở Suối Hiệp đang dọn đồ đi 😭",
        130,
        88,
        60,
        None,
        "chodienkhanh/posts/4004",
    ),
    (
        6,
        "zalo",
        "Nhóm Zalo Tổ dân phố 5",
        "Khẩn: đập hồ Suối Dầu nứt, sơ tán ngay. Tin từ người nhà làm thủy lợi (chưa kiểm chứng)",
        None,
        None,
        None,
        None,
        None,
    ),
    (
        3,
        "facebook",
        "Trang thông tin Khánh Hòa",
        "Thông tin đập hồ Suối Dầu sắp vỡ là SAI SỰ THẬT. Mực nước hồ an toàn, đề nghị bà con không chia sẻ tin bịa đặt.",
        2300,
        310,
        900,
        None,
        "khanhhoa.info/posts/5005",
    ),
    (
        11,
        "facebook",
        "Tiếng nói tự do",
        "Chính quyền Khánh Hòa cướp đất của dân để chia cho tư bản thân hữu làm đường ven biển! Đảng cướp đất, dân mất nhà. Bà con hãy đứng lên biểu tình phản đối!",
        640,
        220,
        380,
        None,
        "tiengnoitudo/posts/6006",
    ),
    (
        10,
        "youtube",
        "Kênh Sự Thật Việt",
        "Sự thật là dự án đường ven biển Cam Ranh là cái cớ để chính quyền cướp đất, bôi nhọ... kích động người dân nổi dậy",
        1500,
        600,
        None,
        45000,
        "watch?v=demoXauDoc01",
    ),
    (
        29,
        "facebook",
        "Nguyễn Thị Hạnh",
        "Đất nhà tôi ở Bắc Cam Ranh bị thu hồi mà bồi thường có 150 nghìn một mét, đơn khiếu nại gửi mấy lần không ai trả lời. Dân khổ quá!",
        420,
        150,
        95,
        None,
        "hanhnt/posts/7007",
    ),
    (
        19,
        "tiktok",
        "@songcai.diennong",
        "Tàu hút cát lậu trên sông Cái lúc 11h đêm, bờ sông sạt lở hết rồi, chính quyền ở đâu? #catlau #songcai",
        3200,
        540,
        800,
        67000,
        "@songcai.diennong/video/7300000000000000002",
    ),
    (
        18,
        "facebook",
        "Trần Văn Bảy",
        "Vườn dừa nhà tôi mất gần 300 m² vì cát lậu, báo mãi mà tàu vẫn hút mỗi đêm. Kêu cứu!",
        280,
        120,
        75,
        None,
        "baytv/posts/8008",
    ),
    (
        25,
        "facebook",
        "Review Nha Trang",
        "Ăn 3 món hải sản ở chợ đêm Nha Trang hết 4 triệu!!! Không báo giá trước, chặt chém du khách thế này ai dám quay lại",
        8900,
        2100,
        3400,
        None,
        "reviewnhatrang/posts/9009",
    ),
    (
        24,
        "tiktok",
        "@dulich.cungem",
        "Bill 4 triệu cho 3 món hải sản ở Nha Trang 😤 chặt chém quá trời #nhatrang #chatchem",
        12000,
        1800,
        2200,
        350000,
        "@dulich.cungem/video/7300000000000000003",
    ),
    (
        5,
        "facebook",
        "Phụ huynh Nam Nha Trang",
        "Con tôi với mấy chục bạn nhập viện vì ăn bán trú ở trường, đau bụng nôn ói. Nhà trường phải chịu trách nhiệm!",
        760,
        340,
        210,
        None,
        "phuhuynh.nnt/posts/1010",
    ),
    (
        13,
        "facebook",
        "Mẹ Bắp",
        "Nghe nói bữa trưa có gà bị ôi, 45 đứa nhỏ nhập viện, bệnh viện tỉnh quá tải. Ai có con học ở đó kiểm tra ngay",
        310,
        180,
        140,
        None,
        "mebap/posts/1111",
    ),
    (
        55,
        "facebook",
        "Nha Trang ngập",
        "Đường 2/4 ngập tới yên xe, mưa từ tối qua tới giờ chưa dứt. Mọi người hạn chế ra đường nha",
        540,
        90,
        120,
        None,
        "nhatrangngap/posts/1212",
    ),
    (
        50,
        "youtube",
        "Khánh Hòa TV Fan",
        "Cận cảnh sạt lở đèo Khánh Lê sáng nay, đất đá chắn hết đường",
        430,
        75,
        None,
        28000,
        "watch?v=demoSatLo01",
    ),
    (
        49,
        "facebook",
        "Dân Suối Tân",
        "Mùi hôi bãi rác Lương Hòa tối nào cũng nồng nặc, con nhỏ không ngủ được. Bao giờ mới xử lý dứt điểm?",
        390,
        160,
        85,
        None,
        "dansuoitan/posts/1313",
    ),
    (
        39,
        "facebook",
        "Ngư dân Cam Ranh",
        "Cá lồng bè vịnh Cam Ranh chết trắng, nước đen ngòm gần cống xả nhà máy. Thiệt hại mấy tấn cá rồi",
        650,
        240,
        310,
        None,
        "nguydancamranh/posts/1414",
    ),
    (
        44,
        "facebook",
        "Lê Văn Tùng",
        "Hồ sơ tách thửa nộp từ tháng 8 tới giờ vẫn hẹn, cán bộ một cửa nhũng nhiễu, bắt bổ sung giấy tờ hoài",
        210,
        95,
        40,
        None,
        "tunglv/posts/1515",
    ),
    (
        88,
        "facebook",
        "Yêu Khánh Hòa",
        "Cao tốc Vân Phong - Nha Trang thông xe rồi, từ Nha Trang ra Vạn Ninh chỉ còn hơn 1 tiếng, tuyệt vời!",
        3100,
        260,
        410,
        None,
        "yeukhanhhoa/posts/1616",
    ),
    (
        115,
        "tiktok",
        "@vinhhy.travel",
        "Nước vịnh Vĩnh Hy trong vắt, lặn ngắm san hô đẹp mê ly 🐠 #vinhhy #dulich",
        7600,
        420,
        650,
        210000,
        "@vinhhy.travel/video/7300000000000000004",
    ),
    (
        60,
        "facebook",
        "Du lịch Nha Trang",
        "Nha Trang mùa này vẫn đông khách Hàn, Nga lắm, khách sạn ven biển kín phòng",
        880,
        70,
        45,
        None,
        "dulichnhatrang/posts/1717",
    ),
    (
        98,
        "facebook",
        "Nông dân Ninh Phước",
        "Hồ cạn trơ đáy, lúa đông xuân không có nước tưới, bà con Phan Rang lo lắm",
        260,
        80,
        55,
        None,
        "nongdanninhphuoc/posts/1818",
    ),
    (
        2,
        "facebook",
        "Trang thông tin Khánh Hòa",
        "Cập nhật: 45 học sinh đã xuất viện, nguyên nhân ngộ độc là gà xào nhiễm Salmonella",
        1200,
        150,
        260,
        None,
        "khanhhoa.info/posts/1919",
    ),
    (
        17,
        "facebook",
        "Hóng biến Hà Nội",
        "Nguyễn Trãi tắc cứng 2 tiếng vì xe buýt chết máy, khổ ghê",
        2200,
        640,
        120,
        None,
        "hongbienhanoi/posts/2020",
    ),
    (
        27,
        "tiktok",
        "@saigon.moingay",
        "Triều cường ngập Huỳnh Tấn Phát, lội nước về nhà #saigon",
        4100,
        300,
        200,
        95000,
        "@saigon.moingay/video/7300000000000000005",
    ),
    (
        65,
        "facebook",
        "Đà Nẵng review",
        "Đà Nẵng cuối tuần đông vui, cầu Rồng phun lửa tối thứ 7 nha mọi người",
        1900,
        220,
        150,
        None,
        "danangreview/posts/2121",
    ),
    (
        7,
        "facebook",
        "Hội những người yêu Diên Khánh",
        "Cập nhật: bà con Suối Hiệp đang sơ tán khẩn cấp vì đập Suối Dầu sắp vỡ, ai có xe hỗ trợ chở người già với!!!",
        700,
        260,
        980,
        None,
        "fb-group-dienkhanh/posts/1002",
    ),
]


def build() -> None:
    for site, title, articles in (
        ("baokhanhhoa", "Báo Khánh Hòa (mẫu) - Thời sự", BAO_TINH),
        ("thoisu", "Thời sự 24h (mẫu)", THOI_SU),
    ):
        folder = HERE / site
        folder.mkdir(exist_ok=True)
        for a in articles:
            others = [o for o in articles if o[0] != a[0]]
            (folder / f"{a[0]}.html").write_text(page(site, *a[:6], others=others), encoding="utf-8")
        (folder / "rss.xml").write_text(rss(site, title, articles), encoding="utf-8")
    (HERE / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    exports = HERE / "exports"
    exports.mkdir(exist_ok=True)
    rows = []
    for hours, platform, author, text, likes, comments, shares, views, slug in POSTS:
        base = {
            "facebook": "https://www.facebook.com/",
            "tiktok": "https://www.tiktok.com/",
            "youtube": "https://www.youtube.com/",
            "zalo": "",
        }[platform]
        rows.append(
            {
                "platform": platform,
                "author": author,
                "text": text,
                "published": iso(hours),
                "url": f"{base}{slug}" if slug else None,
                "likes": likes,
                "comments": comments,
                "shares": shares,
                "views": views,
            }
        )
    (exports / "mxh-posts.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    sources = """# Nguồn của trang tin mẫu ({base} = địa chỉ máy chủ chạy thử). Cùng lược đồ với 'sources:' của hồ sơ.
sources:
  - {id: demo-baokhanhhoa, type: rss, url: "{base}/baokhanhhoa/rss.xml", name: "Báo Khánh Hòa (mẫu)", scope: province, tier: chinh-thong, interval_minutes: 15}
  - {id: demo-thoisu, type: rss, url: "{base}/thoisu/rss.xml", name: "Thời sự 24h (mẫu)", scope: national, tier: uy-tin, interval_minutes: 15}
  - {id: mxh-demo, type: social-import, url: "file:///exports/", name: "Tệp MXH mẫu", kind: social, tier: chua-xac-minh, enabled: false}
"""
    (HERE / "sources.yaml").write_text(sources, encoding="utf-8")


if __name__ == "__main__":
    build()
    print(f"{len(BAO_TINH) + len(THOI_SU)} articles, {len(POSTS)} posts written to {HERE}")
